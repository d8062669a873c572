"""Code that the API and the workers share: settings, database, job records, storage.

Nothing in this package imports FastAPI or torch.
"""
