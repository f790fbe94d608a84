"""French tax rules of a retail securities account (compte-titres ordinaire).

``rates`` reads the dated rates from settings (the rate in force on a date, never a constant); ``rules``
holds the pure arithmetic (PMP average cost, the year's netting, loss carry-forward by year of origin and
its 10-year expiry, the marginal tax of one sale). Pure: the per-portfolio ledger
(:class:`portfolio.models.TaxYear`) is kept by :mod:`portfolio.services.tax_ledger`. See docs/advice.md.
"""
