pytest_plugins = [
    "frontline.testing.personas",
    "frontline.testing.api_client",
    "frontline.testing.browser",
    "frontline.testing.dovecot",
]


def pytest_collection_modifyitems(config, items):
    """Browser tests run last: Playwright keeps an event loop running in the main thread
    from the first browser test to the end of the session, which async tests cannot
    share."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
