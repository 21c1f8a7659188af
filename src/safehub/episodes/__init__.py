"""Episodes: the periods the hub holds a child as at risk, with dated risk, reviews and more."""
