"""Network byte transports: TCP client and UDP listener."""
