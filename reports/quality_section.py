"""Report section: the data-quality findings the plan ran with (the same the terminal printed).

Errors never reach a report (they refuse the plan), so these are warnings: what, where (file, row, key),
why it matters and what to do, one row each.
"""
from __future__ import annotations

import pandas as pd

from reports.htmlkit import table


def render(outcome) -> str:
    findings = list(getattr(outcome, "findings", None) or [])
    out = ['<h2 id="quality">Data quality</h2>']
    if not findings:
        out.append('<p class="ok">No data-quality findings: the history, agents, time off, rules and the week '
                   'passed every check.</p>')
        return "\n".join(out)
    out.append(f'<p class="bad">{len(findings)} warning(s): the plan was made, but check these inputs. '
               'A site YAML can refuse plans with any of them (<code>data_quality: {errors: [code]}</code>).</p>')
    frame = pd.DataFrame([{"check": f.code, "where": f.where, "what": f.what, "why it matters": f.why,
                           "what to do": f.fix} for f in findings])
    out.append(table(frame, sortable=False))
    return "\n".join(out)

