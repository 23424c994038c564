"""Tools for instructors and maintainers who run the course on a server: measuring memory per
trainee for sizing a JupyterHub, and running code in a trainee's kernel from outside.

Trainee kernels never import this package (``import helpers`` does not load it), so nothing
here ships into a notebook's memory or its attack surface.
"""
