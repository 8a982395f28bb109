pytest_plugins = ["frontline.testing.personas"]
