"""The forecasting and replenishment engine: numpy only, no Django, vectorised across items.

``methods`` (the forecasting methods), ``classify`` (ADI / CV² classes), ``evaluate`` (backtest
metrics, safety stock, the inventory replay), ``plan`` (method choice and the plan per item),
``report`` (holdout evaluation of a demand file), ``demandfile`` (reading xlsx/csv demand).
"""
