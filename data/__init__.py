"""The bundled demo corpus (`corpus/`), installed with kazrag as package data."""
