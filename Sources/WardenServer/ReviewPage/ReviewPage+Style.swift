extension ReviewPage {
    /// The page's only style sheet (served from `'self'`; the CSP allows no inline style elements or attributes).
    static let css = #"""
        :root { --ink: #1d2430; --muted: #5d6675; --line: #d9dee6; --panel: #f5f7fa; --accent: #23395d;
                --block: #b42318; --review: #b54708; --allow: #067647; --bar: #8a94a6; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); }
        main { padding: 12px 20px 40px; }
        h1 { font-size: 20px; } h2 { font-size: 15px; margin: 18px 0 8px; }
        code, kbd, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px; }
        kbd { border: 1px solid var(--line); border-bottom-width: 2px; border-radius: 3px; padding: 0 4px; background: #fff; }
        .bar { display: flex; align-items: center; gap: 16px; padding: 10px 20px; background: var(--accent); color: #fff; }
        .bar .brand { color: #fff; font-weight: 600; text-decoration: none; }
        .bar .who { margin-left: auto; opacity: .9; }
        .bar .link { color: #fff; }
        button { font: inherit; padding: 5px 12px; border: 1px solid var(--line); border-radius: 4px; background: #fff; cursor: pointer; }
        button[type=submit] { background: var(--accent); color: #fff; border-color: var(--accent); }
        button:disabled { opacity: .45; cursor: default; }
        button.link { border: 0; background: none; text-decoration: underline; padding: 0; }
        input, select, textarea { font: inherit; padding: 4px 6px; border: 1px solid var(--line); border-radius: 4px; }
        .panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; }
        .narrow { max-width: 460px; margin: 40px auto; }
        .narrow input { width: 100%; margin: 6px 0 12px; }
        .status { min-height: 1.2em; margin: 0 0 6px; color: var(--muted); }
        .error { color: var(--block); min-height: 1.2em; }
        .muted { color: var(--muted); }
        .filters { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: flex-end; margin-bottom: 10px; }
        .filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 2px; }
        .filters label.wide input { width: 300px; }
        .filters input { width: 130px; }
        .counts { display: flex; flex-wrap: wrap; gap: 6px 14px; margin: 6px 0 10px; }
        .counts .total { font-weight: 600; }
        .chip { border: 1px solid var(--line); border-radius: 10px; padding: 0 8px; background: #fff; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-size: 12px; color: var(--muted); font-weight: 600; }
        .num { text-align: right; font-variant-numeric: tabular-nums; }
        table.queue tbody tr { cursor: pointer; }
        table.queue tbody tr:hover, table.queue tbody tr.selected { background: #eef3fb; }
        table.queue td.text { max-width: 420px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        .badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; font-weight: 600; color: #fff; }
        .badge.block { background: var(--block); } .badge.review { background: var(--review); }
        .badge.allow { background: var(--allow); } .badge.safe { background: var(--allow); } .badge.unsafe { background: var(--block); }
        .pager { display: flex; gap: 12px; align-items: center; margin-top: 10px; }
        .event-nav { display: flex; gap: 10px; align-items: center; margin-bottom: 6px; }
        .event-grid { display: grid; grid-template-columns: minmax(0, 1fr) 340px; gap: 24px; }
        .meta { display: flex; flex-wrap: wrap; gap: 6px 14px; color: var(--muted); }
        .conversation { list-style: none; padding: 0; margin: 0; }
        .conversation li { border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; padding: 8px 10px; }
        .conversation li.user { background: #fff; } .conversation li.assistant { background: var(--panel); }
        .conversation li.judged { border-color: var(--accent); border-width: 2px; }
        .conversation .role { font-size: 12px; font-weight: 600; color: var(--muted); text-transform: uppercase; }
        /* Conversation text is set with textContent: shown exactly as written, wrapped, never interpreted. */
        .conversation .text { white-space: pre-wrap; overflow-wrap: anywhere; margin-top: 4px; }
        .conversation .hashed { font-style: italic; color: var(--muted); }
        .reason { background: var(--panel); border-left: 3px solid var(--accent); padding: 6px 10px; }
        .scores { display: grid; grid-template-columns: 210px minmax(0, 1fr) 56px; gap: 4px 10px; align-items: center; }
        .scores .name { font-size: 13px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        .scores .value { text-align: right; font-variant-numeric: tabular-nums; }
        .track { position: relative; height: 14px; background: #eceff3; border-radius: 3px; }
        .fill { position: absolute; left: 0; top: 0; bottom: 0; border-radius: 3px; background: var(--bar); }
        .fill.block { background: var(--block); } .fill.review { background: var(--review); }
        .mark { position: absolute; top: -3px; bottom: -3px; width: 2px; background: var(--ink); }
        .mark.review { background: var(--review); } .mark.block { background: var(--block); }
        .verdict { display: flex; gap: 16px; border: 0; padding: 0; margin: 0 0 8px; }
        fieldset { border: 1px solid var(--line); border-radius: 4px; margin: 0 0 8px; }
        .categories { display: grid; grid-template-columns: 1fr; gap: 2px; max-height: 300px; overflow-y: auto; }
        .categories label { font-size: 13px; }
        textarea { width: 100%; }
        .actions { display: flex; gap: 8px; margin-top: 8px; }
        .reviews { padding-left: 18px; }
        .reviews li { margin-bottom: 6px; overflow-wrap: anywhere; white-space: pre-wrap; }
        @media (max-width: 900px) { .event-grid { grid-template-columns: 1fr; } }

        """#
}
