"""Django-free intent classification for the AI triage (see intent.py)."""
