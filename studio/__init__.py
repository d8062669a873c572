"""The studio's committed web files (index.html, static/), served by api/routes/studio.py."""
