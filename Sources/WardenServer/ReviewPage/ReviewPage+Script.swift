extension ReviewPage {
    /// The page's script, part 1: talking to the audit API, sign-in, routing. Rules kept throughout (a unit test
    /// checks the ones it can): data reaches the DOM only through `textContent`, `value` and `title`; no
    /// `innerHTML`, no `eval`; the token lives in `sessionStorage` and travels only in the `Authorization` header.
    static let scriptCore = #"""
        "use strict";
        (() => {
        const TOKEN_KEY = "warden.review.token";
        const PAGE_SIZE = 50;
        const DEFAULT_FILTERS = { decision: "flagged", reviewed: "false" };
        const FILTER_KEYS = ["decision", "reviewed", "category", "policy", "model", "since", "until", "q"];
        const $ = (id) => document.getElementById(id);

        /** An element with a class and text; the only way this script creates content. */
        function el(tag, className, text) {
          const node = document.createElement(tag);
          if (className) node.className = className;
          if (text !== undefined && text !== null) node.textContent = String(text);
          return node;
        }

        const state = {
          session: null,
          filters: null,        // the filters of the queue shown (or last shown)
          cursors: [null],      // cursor of each page visited, for "newer"
          ids: [],              // event ids of the queue page, in order, for next/previous
          nextCursor: null,
          selected: -1,
          event: null,          // the event view shown
        };
        window.wardenReview = state;  // for the browser tests and the curious; holds no token

        class APIError extends Error {
          constructor(status, code, message) { super(message); this.status = status; this.code = code; }
        }

        async function api(path, options = {}) {
          const token = sessionStorage.getItem(TOKEN_KEY);
          const headers = { "Accept": "application/json" };
          if (token) headers["Authorization"] = "Bearer " + token;
          if (options.body !== undefined) headers["Content-Type"] = "application/json";
          const response = await fetch(path, {
            method: options.method || "GET", headers, credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer",
            body: options.body === undefined ? undefined : JSON.stringify(options.body),
          });
          let payload = null;
          try { payload = await response.json(); } catch (_) { payload = null; }
          if (!response.ok) {
            const error = payload && payload.error ? payload.error : {};
            throw new APIError(response.status, error.code || "", error.message || response.statusText);
          }
          return payload;
        }

        function show(section) {
          for (const id of ["sign-in", "queue", "event"]) $(id).hidden = id !== section;
          document.body.dataset.view = section;
        }

        function setStatus(text, isError) {
          $("status").textContent = text || "";
          $("status").classList.toggle("error", Boolean(isError));
        }

        /** Reports a failed call; a token the server no longer accepts sends the user back to sign-in. */
        function fail(error) {
          if (error instanceof APIError && error.status === 401) {
            signOut("The server no longer accepts this token; sign in again.");
          } else {
            setStatus(error.message || String(error), true);
          }
        }

        // MARK: sign-in

        function signOut(message) {
          sessionStorage.removeItem(TOKEN_KEY);
          state.session = null;
          $("who").textContent = "";
          $("sign-out").hidden = true;
          setStatus("");
          $("sign-in-error").textContent = message || "";
          show("sign-in");
          $("token").focus();
        }

        async function loadSession() {
          state.session = await api("/v1/audit/session");
          const session = state.session;
          $("who").textContent = session.id + " (" + session.role + ")";
          $("sign-out").hidden = false;
          const select = $("filter-category");
          select.replaceChildren(el("option", null, "any"));
          select.firstChild.value = "";
          for (const category of session.categories) {
            const option = el("option", null, (category.code ? category.code + " " : "") + category.name);
            option.value = category.code || category.id;
            select.append(option);
          }
          fillList($("policy-list"), session.policies);
          fillList($("model-list"), [session.model]);
        }

        function fillList(list, values) {
          const known = new Set(Array.from(list.options, (option) => option.value));
          for (const value of values) {
            if (!value || known.has(value)) continue;
            const option = el("option");
            option.value = value;
            list.append(option);
            known.add(value);
          }
        }

        $("sign-in-form").addEventListener("submit", async (event) => {
          event.preventDefault();
          const token = $("token").value.trim();
          $("token").value = "";
          if (!token) return;
          sessionStorage.setItem(TOKEN_KEY, token);
          try {
            await loadSession();
            $("sign-in-error").textContent = "";
            route();
          } catch (error) {
            sessionStorage.removeItem(TOKEN_KEY);
            state.session = null;
            $("sign-in-error").textContent =
              error.status === 401 ? "This token is not a reviewer or admin token of this server."
              : error.status === 403 ? "This is a client API key; the review page needs a reviewer or admin token."
              : "Sign-in failed: " + error.message;
          }
        });
        $("sign-out").addEventListener("click", () => signOut(""));

        // MARK: routing (the hash holds filters and event ids, never the token)

        function filtersFromHash() {
          const hash = location.hash.startsWith("#/?") ? location.hash.slice(3) : "";
          const params = new URLSearchParams(hash);
          const filters = Object.assign({}, DEFAULT_FILTERS);
          for (const key of FILTER_KEYS) if (params.has(key)) filters[key] = params.get(key);
          return filters;
        }

        function hashFor(filters) {
          const params = new URLSearchParams();
          for (const key of FILTER_KEYS) {
            const value = filters[key] || "";
            if (value !== (DEFAULT_FILTERS[key] || "")) params.set(key, value || "any");
          }
          const text = params.toString();
          return text ? "#/?" + text : "#/";
        }

        async function route() {
          if (!sessionStorage.getItem(TOKEN_KEY)) { signOut(""); return; }
          try {
            if (!state.session) await loadSession();
          } catch (error) {
            signOut(error.status === 401 || error.status === 403 ? "Sign in with a reviewer or admin token." : error.message);
            return;
          }
          const match = location.hash.match(/^#\/event\/([0-9A-Fa-f-]{4,36})$/);
          if (match) {
            window.wardenEvent.showEvent(match[1]);
          } else {
            window.wardenQueue.showQueue(filtersFromHash());
          }
        }

        // MARK: formatting and queries shared by the views

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

        window.wardenCore = {
          $, el, api, show, setStatus, fail, fillList, hashFor, route, state, PAGE_SIZE, APIError,
          formatTime, formatScore, count, badge, apiQuery, sameFilters,
        };
        window.addEventListener("hashchange", route);
        document.addEventListener("DOMContentLoaded", route);
        })();

        """#
}
