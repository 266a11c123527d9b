"""viz: draws what an autodiff tape recorded (coming next)."""
