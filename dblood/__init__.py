"""dblood: the api service of the blood-donation platform."""
