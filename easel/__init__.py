"""The composition of Easel's processes: which parts run together (easel/assembly.py) and the `easel` command
(easel/cli.py). The one package that may import from api/, worker/, models/ and safety/ alike."""
