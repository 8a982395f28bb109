pytest_plugins = [
    "frontline.testing.personas",
    "frontline.testing.browser",
    "frontline.testing.dovecot",
]
