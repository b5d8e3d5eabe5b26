extension ReviewPage {
    /// The page's script, part 2: the queue (filters, counts, server-side pages).
    static let scriptQueue = #"""
        (() => {
        const {
          $, el, api, show, setStatus, fail, fillList, hashFor, state, PAGE_SIZE, formatTime, formatScore, count, badge,
          apiQuery, sameFilters,
        } = window.wardenCore;

        async function showQueue(filters) {
          show("queue");
          const form = $("filters");
          for (const element of form.elements) {
            if (element.name && element.name in filters) element.value = filters[element.name];
            else if (element.name) element.value = "";
          }
          const changed = !sameFilters(filters, state.filters);
          state.filters = filters;
          if (changed) state.cursors = [null];
          await loadQueuePage(changed);
        }

        async function loadQueuePage(withCounts) {
          const filters = state.filters;
          const query = apiQuery(filters);
          query.set("limit", String(PAGE_SIZE));
          const cursor = state.cursors[state.cursors.length - 1];
          if (cursor) query.set("cursor", cursor);
          setStatus("Loading…");
          try {
            const calls = [api("/v1/audit/events?" + query.toString())];
            if (withCounts) calls.push(api("/v1/audit/stats?" + apiQuery(filters).toString()));
            const [page, stats] = await Promise.all(calls);
            if (state.filters !== filters) return;  // the filters changed while this page loaded
            if (stats) renderCounts(stats);
            renderQueue(page);
            setStatus("");
            document.body.dataset.queueRenders = String(Number(document.body.dataset.queueRenders || 0) + 1);
            performance.mark("warden-queue-ready");
          } catch (error) {
            fail(error);
          }
        }

        function renderCounts(stats) {
          const box = $("counts");
          box.replaceChildren(el("span", "total", count(stats.total) + " events match"),
                              el("span", null, count(stats.reviewed) + " reviewed"));
          for (const entry of stats.by_decision) {
            if (entry.count > 0) box.append(el("span", "chip", entry.key + " " + count(entry.count)));
          }
          for (const entry of stats.by_category.slice(0, 8)) box.append(el("span", "chip", entry.key + " " + count(entry.count)));
          box.dataset.total = String(stats.total);
          state.total = stats.total;
        }

        function renderQueue(page) {
          const body = $("queue-rows");
          body.replaceChildren();
          state.ids = page.events.map((event) => event.id);
          state.nextCursor = page.next_cursor || null;
          state.selected = -1;
          for (const event of page.events) {
            const row = el("tr");
            row.dataset.id = event.id;
            row.append(el("td", "mono", formatTime(event.time)));
            const decision = el("td");
            decision.append(badge(event.decision, event.decision));
            row.append(decision, el("td", null, event.direction));
            row.append(el("td", null, (event.llama_guard_codes.length ? event.llama_guard_codes : event.categories).join(" ")));
            row.append(el("td", "num", formatScore(event.unsafe_score)), el("td", null, event.policy), el("td", null, event.model));
            const review = el("td");
            if (event.review_count > 0) review.append(badge(event.reviewed_unsafe ? "unsafe" : "safe", event.reviewed_unsafe ? "unsafe" : "safe"));
            row.append(review, el("td", "text", event.snippet || event.reason));
            row.addEventListener("click", () => { location.hash = "#/event/" + encodeURIComponent(event.id); });
            body.append(row);
          }
          fillList($("model-list"), page.events.map((event) => event.model));
          fillList($("policy-list"), page.events.map((event) => event.policy));
          $("queue-empty").hidden = page.events.length > 0;
          const first = (state.cursors.length - 1) * PAGE_SIZE;
          $("page-info").textContent = page.events.length
            ? "events " + count(first + 1) + "–" + count(first + page.events.length) + (state.total !== undefined ? " of " + count(state.total) : "")
            : "";
          $("newer").disabled = state.cursors.length <= 1;
          $("older").disabled = !state.nextCursor;
        }

        function select(index) {
          const rows = $("queue-rows").children;
          if (!rows.length) return;
          state.selected = Math.max(0, Math.min(rows.length - 1, index));
          for (let i = 0; i < rows.length; i++) rows[i].classList.toggle("selected", i === state.selected);
          rows[state.selected].scrollIntoView({ block: "nearest" });
        }

        $("filters").addEventListener("submit", (event) => {
          event.preventDefault();
          const filters = {};
          for (const element of $("filters").elements) if (element.name) filters[element.name] = element.value.trim();
          location.hash = hashFor(filters);
        });
        $("reset-filters").addEventListener("click", () => { location.hash = "#/"; });
        $("older").addEventListener("click", () => {
          if (!state.nextCursor) return;
          state.cursors.push(state.nextCursor);
          loadQueuePage(false);
        });
        $("newer").addEventListener("click", () => {
          if (state.cursors.length <= 1) return;
          state.cursors.pop();
          loadQueuePage(false);
        });

        window.wardenQueue = { showQueue, renderQueue, select };
        })();

        """#
}
