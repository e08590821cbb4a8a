"""The use cases behind each chat command and button. Handlers return replies.

`registry.py` declares every chat command once; the core routes commands from it.
"""
