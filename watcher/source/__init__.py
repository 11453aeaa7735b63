"""Sources: when to poll them (schedule) and OPML subscription lists."""
