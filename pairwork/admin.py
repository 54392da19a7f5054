from .api_tokens_admin import ApiTokenAdmin  # noqa: F401  (registers the API token admin)
