"""Code dictionaries without hierarchy (CPRD GOLD/Aurum, any code + term table)."""
