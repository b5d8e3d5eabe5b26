extension ReviewPage {
    /// The page's script, part 2: the queue, the event page, labelling and keyboard shortcuts.
    static let scriptViews = #"""
        (() => {
        const { $, el, api, show, setStatus, fail, fillList, hashFor, state, PAGE_SIZE } = window.wardenCore;

        function formatTime(text) { return text ? text.replace("T", " ").replace(/\.\d+/, "").replace("Z", "") : ""; }
        function formatScore(value) { return typeof value === "number" ? value.toFixed(3) : "–"; }
        function count(value) { return Number(value || 0).toLocaleString("en-US"); }
        function badge(text, kind) { return el("span", "badge " + kind, text); }

        function apiQuery(filters) {
          const query = new URLSearchParams();
          if (filters.decision === "flagged") query.set("flagged", "true");
          else if (filters.decision && filters.decision !== "any") query.set("decision", filters.decision);
          if (filters.reviewed === "true" || filters.reviewed === "false") query.set("reviewed", filters.reviewed);
          for (const key of ["category", "policy", "model", "since", "until", "q"]) {
            if (filters[key]) query.set(key, filters[key]);
          }
          return query;
        }

        function sameFilters(a, b) { return Boolean(a && b) && hashFor(a) === hashFor(b); }

        // MARK: queue

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
            row.append(el("td", null, (event.codes.length ? event.codes : event.categories).join(" ")));
            row.append(el("td", "num", formatScore(event.unsafe_score)), el("td", null, event.policy_id), el("td", null, event.model_id));
            const review = el("td");
            if (event.review_count > 0) review.append(badge(event.reviewed_unsafe ? "unsafe" : "safe", event.reviewed_unsafe ? "unsafe" : "safe"));
            row.append(review, el("td", "text", event.snippet || event.reason));
            row.addEventListener("click", () => { location.hash = "#/event/" + encodeURIComponent(event.id); });
            body.append(row);
          }
          fillList($("model-list"), page.events.map((event) => event.model_id));
          fillList($("policy-list"), page.events.map((event) => event.policy_id));
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

        // MARK: event

        async function showEvent(id) {
          show("event");
          setStatus("Loading…");
          try {
            const view = await api("/v1/audit/events/" + encodeURIComponent(id));
            state.event = view;
            renderEvent(view);
            setStatus("");
          } catch (error) {
            fail(error);
          }
        }

        function categoryName(key) {
          const category = state.session.categories.find((c) => c.id === key || c.code === key);
          return category ? (category.code ? category.code + " " : "") + category.name : key;
        }

        function renderEvent(view) {
          const event = view.event;
          const section = $("event");
          section.dataset.eventId = event.id;
          const meta = $("event-meta");
          meta.replaceChildren(badge(event.decision, event.decision), el("span", null, event.direction + " check"),
            el("span", "mono", formatTime(event.time)), el("span", null, "policy " + event.policy_id),
            el("span", null, "model " + event.model_id), el("span", "mono", event.id));
          if (event.caller) meta.append(el("span", null, "caller " + event.caller));

          // The judged turn: the last user message of an input check, the last assistant message of an output check.
          const judgedRole = event.direction === "output" ? "assistant" : "user";
          let judged = -1;
          event.messages.forEach((message, index) => { if (message.role === judgedRole) judged = index; });
          const list = $("conversation");
          list.replaceChildren();
          event.messages.forEach((message, index) => {
            const item = el("li", message.role + (index === judged ? " judged" : ""));
            item.append(el("div", "role", message.role + (index === judged ? " · judged" : "")));
            if (typeof message.content === "string") {
              item.append(el("div", "text", message.content));
            } else {
              item.append(el("div", "text hashed", "Text not stored" + (message.content_hash ? " (hash " + message.content_hash + ")" : "")));
            }
            list.append(item);
          });

          $("reason").textContent = event.reason;
          const violations = $("violations");
          violations.replaceChildren();
          for (const v of event.violations) {
            const row = el("tr");
            row.append(el("td", null, v.category), el("td", null, v.code || ""), el("td", "num", formatScore(v.score)),
              el("td", "num", formatScore(v.threshold)));
            const decision = el("td");
            decision.append(badge(v.decision, v.decision));
            row.append(decision, el("td", "mono", v.rule));
            violations.append(row);
          }
          if (!event.violations.length) {
            const row = el("tr");
            const cell = el("td", "muted", "No rule fired.");
            cell.colSpan = 6;
            row.append(cell);
            violations.append(row);
          }
          renderScores(event, view.policy);
          renderReviews(view.reviews);
          renderLabelForm(event, view.reviews);
          updatePosition();
        }

        function renderScores(event, policy) {
          const note = $("policy-note");
          const thresholds = policy ? policy.thresholds : {};
          if (!policy) note.textContent = "Policy '" + event.policy_id + "' is not loaded now: no thresholds to draw (the violations show the ones that fired).";
          else if (!policy.matches_event) note.textContent = "The policy changed since this event was judged: marks show its current thresholds.";
          else note.textContent = "Marks are the thresholds of the rules that judge each category, in the order they are tried.";
          const box = $("scores");
          box.replaceChildren();
          const entries = Object.entries(event.scores).sort((a, b) => b[1] - a[1]);
          for (const [key, score] of entries) {
            const rules = thresholds[key] || [];
            const fired = rules.find((rule) => score >= rule.threshold);
            const track = el("div", "track");
            const fill = el("div", "fill" + (fired && fired.decision !== "allow" ? " " + fired.decision : ""));
            fill.style.width = (Math.max(0, Math.min(1, score)) * 100).toFixed(1) + "%";  // CSSOM, allowed by the CSP
            track.append(fill);
            for (const rule of rules) {
              const mark = el("div", "mark " + rule.decision);
              mark.style.left = "calc(" + (Math.max(0, Math.min(1, rule.threshold)) * 100).toFixed(1) + "% - 1px)";
              mark.title = rule.rule + ": " + rule.decision + " at " + rule.threshold;
              track.append(mark);
            }
            track.title = key + " " + formatScore(score) + (rules.length ? "" : " (no rule)");
            box.append(el("div", "name", categoryName(key)), track, el("div", "value", formatScore(score)));
          }
        }

        function renderReviews(reviews) {
          const list = $("reviews");
          list.replaceChildren();
          if (!reviews.length) list.append(el("li", "muted", "Not reviewed yet."));
          for (const review of reviews) {
            const item = el("li");
            item.append(badge(review.unsafe ? "unsafe" : "safe", review.unsafe ? "unsafe" : "safe"));
            item.append(el("span", null, " " + review.categories.join(" ") + " by " + review.reviewer + ", " + formatTime(review.time)));
            if (review.note) item.append(el("div", "muted", review.note));
            list.append(item);
          }
        }

        function renderLabelForm(event, reviews) {
          const latest = reviews[reviews.length - 1];
          const checked = new Set(latest ? latest.categories : event.violations.map((v) => v.code || v.category));
          const box = $("label-categories");
          box.replaceChildren();
          state.session.categories.forEach((category, index) => {
            const label = el("label");
            const input = el("input");
            input.type = "checkbox";
            input.name = "category";
            input.value = category.code || category.id;
            input.checked = checked.has(category.code) || checked.has(category.id);
            label.append(input, el("span", null, " " + (index < 9 ? "[" + (index + 1) + "] " : "") + categoryName(category.id)));
            box.append(label);
          });
          for (const radio of document.querySelectorAll("input[name=label]")) {
            radio.checked = latest ? radio.value === (latest.unsafe ? "unsafe" : "safe") : false;
          }
          $("note").value = latest && latest.note ? latest.note : "";
          $("label-error").textContent = "";
        }

        function position() { return state.event ? state.ids.indexOf(state.event.event.id) : -1; }

        function updatePosition() {
          const index = position();
          $("event-position").textContent = index >= 0 ? (index + 1) + " of " + state.ids.length + " on this page" : "";
          $("previous-event").disabled = index <= 0;
          $("next-event").disabled = index < 0 || (index >= state.ids.length - 1 && !state.nextCursor);
        }

        async function go(step) {
          const index = position();
          if (index < 0) return;
          if (index + step >= 0 && index + step < state.ids.length) {
            location.hash = "#/event/" + encodeURIComponent(state.ids[index + step]);
          } else if (step > 0 && state.nextCursor) {
            state.cursors.push(state.nextCursor);
            const query = apiQuery(state.filters);
            query.set("limit", String(PAGE_SIZE));
            query.set("cursor", state.nextCursor);
            try {
              renderQueue(await api("/v1/audit/events?" + query.toString()));
              if (state.ids.length) location.hash = "#/event/" + encodeURIComponent(state.ids[0]);
            } catch (error) { fail(error); }
          } else if (step > 0) {
            setStatus("That was the last event of the queue.");
            location.hash = state.filters ? hashFor(state.filters) : "#/";
          }
        }

        async function saveLabel(label, thenNext) {
          const event = state.event && state.event.event;
          if (!event) return;
          const chosen = label || (document.querySelector("input[name=label]:checked") || {}).value;
          if (chosen !== "safe" && chosen !== "unsafe") { $("label-error").textContent = "Choose safe or unsafe first."; return; }
          for (const radio of document.querySelectorAll("input[name=label]")) radio.checked = radio.value === chosen;
          const unsafe = chosen === "unsafe";
          const categories = unsafe ? Array.from(document.querySelectorAll("input[name=category]:checked"), (input) => input.value) : [];
          const note = $("note").value.trim();
          $("save").disabled = $("save-next").disabled = true;
          try {
            const view = await api("/v1/audit/events/" + encodeURIComponent(event.id) + "/review", {
              method: "POST", body: { unsafe, categories, note: note || undefined },
            });
            state.event = view;
            renderReviews(view.reviews);
            setStatus("Labelled " + chosen + (categories.length ? " (" + categories.join(" ") + ")" : "") + ".");
            document.body.dataset.labelled = event.id;
            if (thenNext) await go(1);
          } catch (error) {
            if (error.status === 401) fail(error); else $("label-error").textContent = error.message;
          } finally {
            $("save").disabled = $("save-next").disabled = false;
          }
        }

        $("label-form").addEventListener("submit", (event) => { event.preventDefault(); saveLabel(null, false); });
        $("save-next").addEventListener("click", () => saveLabel(null, true));
        $("next-event").addEventListener("click", () => go(1));
        $("previous-event").addEventListener("click", () => go(-1));

        // MARK: keyboard

        document.addEventListener("keydown", (event) => {
          const target = event.target;
          const typing = target instanceof HTMLElement && target.matches("input:not([type=radio]):not([type=checkbox]), textarea, select");
          const view = document.body.dataset.view;
          if (event.key === "Escape") {
            if (typing) target.blur(); else if (view === "event") location.hash = state.filters ? hashFor(state.filters) : "#/";
            return;
          }
          if (view === "event" && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            saveLabel(null, true);
            return;
          }
          if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
          if (view === "queue") {
            const rows = $("queue-rows").children;
            if (event.key === "j" || event.key === "ArrowDown") { select(state.selected + 1); event.preventDefault(); }
            else if (event.key === "k" || event.key === "ArrowUp") { select(state.selected - 1); event.preventDefault(); }
            else if (event.key === "Enter" && rows[state.selected]) location.hash = "#/event/" + encodeURIComponent(rows[state.selected].dataset.id);
            else if (event.key === "/") { event.preventDefault(); $("filters").elements.q.focus(); }
          } else if (view === "event") {
            if (event.key === "s") saveLabel("safe", true);
            else if (event.key === "u") saveLabel("unsafe", true);
            else if (event.key === "n" || event.key === "ArrowRight") go(1);
            else if (event.key === "p" || event.key === "ArrowLeft") go(-1);
            else if (event.key === "e") { event.preventDefault(); $("note").focus(); }
            else if (/^[1-9]$/.test(event.key)) {
              const box = document.querySelectorAll("input[name=category]")[Number(event.key) - 1];
              if (box) {
                box.checked = !box.checked;
                document.querySelector("input[name=label][value=unsafe]").checked = true;
              }
            }
          }
        });

        window.wardenViews = { showQueue, showEvent };
        })();

        """#
}
