"""The base-record framework every library builds on."""
