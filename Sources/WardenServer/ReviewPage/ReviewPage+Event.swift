extension ReviewPage {
    /// The page's script, part 3: the event page, labelling, next/previous and the keyboard shortcuts.
    static let scriptEvent = #"""
        (() => {
        const { $, el, api, show, setStatus, fail, hashFor, state, PAGE_SIZE, formatTime, formatScore, badge, apiQuery } = window.wardenCore;
        const { renderQueue, select } = window.wardenQueue;

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


        window.wardenEvent = { showEvent };
        })();

        """#
}
