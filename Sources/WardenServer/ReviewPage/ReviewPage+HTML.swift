extension ReviewPage {
    /// The one document of the page. It holds no data: the script fills it from the audit API, only ever through
    /// `textContent`, so nothing a conversation says is parsed as markup. No inline script or style (the CSP forbids
    /// both); the sign-in form posts (never GET) so a token typed with scripts off cannot end up in a URL.
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>Warden review</title>
        <link rel="icon" href="/review/icon.svg" type="image/svg+xml">
        <link rel="stylesheet" href="/review/review.css">
        <script src="/review/review.js" defer></script>
        </head>
        <body>
        <header class="bar">
          <a class="brand" href="#/">Warden review</a>
          <span id="who" class="who"></span>
          <button type="button" id="sign-out" class="link" hidden>Sign out</button>
        </header>
        <main>
        <p id="status" class="status" role="status"></p>

        <section id="sign-in" class="panel narrow" hidden>
          <h1>Sign in</h1>
          <p>Paste a reviewer or admin token. It stays in this tab only (session storage) and is sent in the
          <code>Authorization</code> header, never in a URL or a cookie.</p>
          <form id="sign-in-form" method="post" action="/review/sign-in" autocomplete="off">
            <label for="token">Token</label>
            <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required>
            <button type="submit" id="sign-in-button">Sign in</button>
          </form>
          <p id="sign-in-error" class="error" role="alert"></p>
        </section>

        <section id="queue" hidden>
          <form id="filters" class="filters" method="post" action="/review/filters">
            <label>Decision
              <select name="decision">
                <option value="flagged">flagged (review or block)</option>
                <option value="review">review</option>
                <option value="block">block</option>
                <option value="allow">allow</option>
                <option value="any">any</option>
              </select>
            </label>
            <label>Reviewed
              <select name="reviewed">
                <option value="false">not yet</option>
                <option value="true">reviewed</option>
                <option value="any">either</option>
              </select>
            </label>
            <label>Category <select name="category" id="filter-category"><option value="">any</option></select></label>
            <label>Policy <input name="policy" list="policy-list" placeholder="any"></label>
            <label>Model <input name="model" list="model-list" placeholder="any"></label>
            <label>Since <input name="since" placeholder="24h, 7d, 2026-12-01"></label>
            <label>Until <input name="until" placeholder="1h, 2026-12-03"></label>
            <label class="wide">Search <input name="q" type="search" placeholder="words in the conversation (press /)"></label>
            <button type="submit">Apply</button>
            <button type="button" id="reset-filters" class="link">Reset</button>
            <datalist id="policy-list"></datalist>
            <datalist id="model-list"></datalist>
          </form>
          <div id="counts" class="counts"></div>
          <table class="queue">
            <thead><tr>
              <th>Time (UTC)</th><th>Decision</th><th>Dir.</th><th>Categories</th><th class="num">unsafe</th>
              <th>Policy</th><th>Model</th><th>Review</th><th>Reason or match</th>
            </tr></thead>
            <tbody id="queue-rows"></tbody>
          </table>
          <p id="queue-empty" class="muted" hidden>No event matches these filters.</p>
          <nav class="pager">
            <button type="button" id="newer">&larr; Newer</button>
            <span id="page-info"></span>
            <button type="button" id="older">Older &rarr;</button>
          </nav>
          <p class="muted keys">Keys: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> open, <kbd>/</kbd> search.</p>
        </section>

        <section id="event" hidden>
          <nav class="event-nav">
            <a href="#/" id="back">&larr; Queue</a>
            <button type="button" id="previous-event">Previous (p)</button>
            <button type="button" id="next-event">Next (n)</button>
            <span id="event-position" class="muted"></span>
          </nav>
          <div class="event-grid">
            <div>
              <h2>Conversation</h2>
              <div id="event-meta" class="meta"></div>
              <ol id="conversation" class="conversation"></ol>
              <h2>Why it was flagged</h2>
              <p id="reason" class="reason"></p>
              <table class="violations">
                <thead><tr><th>Category</th><th>Code</th><th class="num">Score</th><th class="num">Threshold</th><th>Decision</th><th>Rule</th></tr></thead>
                <tbody id="violations"></tbody>
              </table>
              <h2>Scores against the policy's thresholds</h2>
              <p id="policy-note" class="muted"></p>
              <div id="scores" class="scores"></div>
            </div>
            <aside class="panel">
              <h2>Label</h2>
              <form id="label-form" method="post" action="/review/label">
                <fieldset class="verdict">
                  <label><input type="radio" name="label" value="safe"> Safe <kbd>s</kbd></label>
                  <label><input type="radio" name="label" value="unsafe"> Unsafe <kbd>u</kbd></label>
                </fieldset>
                <fieldset>
                  <legend>Categories (unsafe only) <kbd>1</kbd>&hellip;<kbd>9</kbd></legend>
                  <div id="label-categories" class="categories"></div>
                </fieldset>
                <label for="note">Note <kbd>e</kbd></label>
                <textarea id="note" name="note" rows="3" maxlength="2000"></textarea>
                <div class="actions">
                  <button type="submit" id="save">Save</button>
                  <button type="button" id="save-next">Save &amp; next (Ctrl+Enter)</button>
                </div>
                <p id="label-error" class="error" role="alert"></p>
              </form>
              <p class="muted keys"><kbd>s</kbd> safe and next, <kbd>u</kbd> unsafe and next, <kbd>n</kbd>/<kbd>p</kbd>
              next/previous, <kbd>Esc</kbd> queue.</p>
              <h2>Reviews</h2>
              <ol id="reviews" class="reviews"></ol>
            </aside>
          </div>
        </section>
        </main>
        </body>
        </html>

        """#

    /// A favicon, so the browser's own request for one finds something (and loads nothing remote).
    static let icon = #"""
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#23395d"/><path d="M3 4l2.5 8 2.5-6 2.5 6 2.5-8" stroke="#fff" stroke-width="1.6" fill="none"/></svg>

        """#
}
