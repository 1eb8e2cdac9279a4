"""Small shared types used by every room: the user-error type and safe file writing."""
