"""Plain-text renderings of views, timelines, explanations and events for the terminal."""
