"""Forecast models behind one interface: fit(panel) then predict(dates) -> Prediction."""
