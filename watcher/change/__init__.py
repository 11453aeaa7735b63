"""What changed on a watched page between two versions (`diff.word_diff`)."""
