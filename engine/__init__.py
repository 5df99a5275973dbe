"""The answer pipeline: retrieve -> answer -> verify, behind one Engine API."""
