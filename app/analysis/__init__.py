"""Analysis computations behind the panels (spectrum, histogram, cursor statistics); no Qt."""
