"""The app's screens, one module each. The app imports a screen's module only when it first shows it."""
