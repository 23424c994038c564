"""Real-browser tests of the course notebooks in JupyterLab."""
