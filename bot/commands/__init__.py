"""The use cases behind each chat command and button. Handlers return replies."""
