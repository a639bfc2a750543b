"""Benchmarks: seeder, runner, call-out selection and growth. Never imported by the api itself."""
