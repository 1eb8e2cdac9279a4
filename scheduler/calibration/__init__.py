"""Calibration: learn the staffing model's inputs from the centre's own records and back-test it.

records (per call: `calls`, or per interval: forecast.history) ──► interval facts (`intervals`)
  + agents on duty (`presence`: given, or inferred from the agents' call sessions)
  ──► patience (`patience_fit`), handle-time distribution (`handle_fit`),
      availability of agents on duty (`availability`: pauses before the next waiting call)
  ──► back-test of predicted vs actual service per interval (`backtest`), beside the noise
      floor a perfectly true model would still show (`noise_floor`)
  ──► `calibration.yaml` (`fragment`), which the site YAML can take with `auto`.
"""
