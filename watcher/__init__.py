"""watcher: a news and web monitoring daemon."""

__version__ = "0.1.0"
USER_AGENT = f"watcher/{__version__} (+https://github.com/watcher-news/watcher; news monitoring)"
