"""eldercare: settings, errors and the command line shared by every domain."""
