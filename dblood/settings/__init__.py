"""Settings package: base (shared), development, production, test."""
