"""Qt widgets: main window parts, plot panel, forms."""
