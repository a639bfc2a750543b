"""Test-only helpers: throwaway servers and personas. Never shipped in an image."""
