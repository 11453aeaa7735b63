"""Match stage: rules (keywords, quoted speakers, numeric thresholds) over article text."""
