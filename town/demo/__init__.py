"""The demo loader's toolbox, shared by every app's demo step (the steps and the home page's own
content stay in ``home.demo``)."""
