"""Alert stage: the message a rule match becomes (pure: values in, text out)."""
