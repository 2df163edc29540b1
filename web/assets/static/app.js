// The resident page as a chat: questions and answers stay on one page.
// Without this script every button is a plain link or form that works.
"use strict";
(function () {
  function $(sel, root) { return (root || document).querySelector(sel); }

  async function fragment(url, opts) {
    opts = opts || {};
    opts.headers = Object.assign({ "X-Fragment": "1" }, opts.headers || {});
    opts.credentials = "same-origin";
    const res = await fetch(url, opts);
    const text = await res.text();
    if (!res.ok) {
      let msg = "出错了，请稍后再试。";
      try { msg = JSON.parse(text).error || msg; } catch (e) { /* not JSON */ }
      throw new Error(msg);
    }
    return text;
  }

  async function api(url, body) {
    const res = await fetch(url, {
      method: body === undefined ? "GET" : "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await res.json().catch(function () { return {}; });
    if (!res.ok) throw new Error(data.error || "出错了，请稍后再试。");
    return data;
  }

  function html(s) {
    const t = document.createElement("template");
    t.innerHTML = s.trim();
    return t.content;
  }

  function say(card, text) {
    const st = $(".status", card);
    if (st) st.textContent = text;
  }

  // Tells tests (and styles) that the chat behaviour is in place.
  document.documentElement.dataset.js = "ready";

  const form = $("#ask-form");
  const chat = $("#chat");
  if (form && chat) {
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      const q = form.q.value.trim();
      if (!q) return;
      const btn = $("button", form);
      btn.disabled = true;
      btn.textContent = "正在查找…";
      try {
        const card = await fragment("/ask", { method: "POST", body: new URLSearchParams({ q: q }) });
        chat.appendChild(html(card));
        form.q.value = "";
        // An instant jump: smooth scrolling is slow on cheap phones.
        chat.lastElementChild.scrollIntoView({ block: "start" });
      } catch (e) {
        const p = document.createElement("p");
        p.className = "error";
        p.textContent = e.message;
        chat.appendChild(p);
      } finally {
        btn.disabled = false;
        btn.textContent = "提问";
      }
    });
  }

  document.addEventListener("click", async function (ev) {
    const el = ev.target.closest("[data-article],[data-more],[data-feedback],[data-human]");
    if (!el) return;
    const card = el.closest(".card");
    if (el.dataset.article !== undefined) {
      ev.preventDefault();
      const slot = el.parentElement.querySelector(".fulltext-slot");
      if (slot.childElementCount) { slot.textContent = ""; return; }
      try { slot.appendChild(html(await fragment("/articles/" + encodeURIComponent(el.dataset.article)))); }
      catch (e) { slot.textContent = e.message; }
    } else if (el.dataset.more !== undefined) {
      ev.preventDefault();
      try {
        const u = "/more?q=" + encodeURIComponent(el.dataset.more) + "&offset=" + encodeURIComponent(el.dataset.offset);
        el.replaceWith(html(await fragment(u)));
      } catch (e) { say(card, e.message); }
    } else if (el.dataset.feedback !== undefined && card) {
      ev.preventDefault();
      try {
        await api("/api/v1/feedback", { consultation: Number(card.dataset.consultation), helpful: el.dataset.feedback === "1" });
        card.querySelectorAll("[data-feedback]").forEach(function (b) { b.disabled = true; });
        say(card, el.dataset.feedback === "1" ? "谢谢！很高兴能帮到您。" : "谢谢反馈！可以换个说法再问，或者点「转人工」。");
      } catch (e) { say(card, e.message); }
    } else if (el.dataset.human !== undefined && card) {
      ev.preventDefault();
      el.hidden = true;
      const box = html('<form class="ask handover"><label>联系方式（可不填，比如电话）<input name="contact" maxlength="100" autocomplete="tel"></label><button type="submit">提交给工作人员</button></form>');
      card.appendChild(box);
      const f = card.querySelector("form.handover");
      f.addEventListener("submit", async function (e2) {
        e2.preventDefault();
        try {
          const r = await api("/api/v1/handover", { consultation: Number(card.dataset.consultation), question: card.dataset.consultation === "0" ? card.dataset.question : "", contact: f.contact.value });
          f.remove();
          say(card, "已转给工作人员，工单号 #" + r.ticket + "。工作人员回复后会显示在这里。");
          watchTicket(r.ticket, card);
        } catch (err) { say(card, err.message); }
      });
    }
  });

  // watchTicket polls a ticket and shows staff replies as they come.
  function watchTicket(id, root, already) {
    let shown = already || 0;
    let delay = 5000;
    async function tick() {
      try {
        const t = await api("/api/v1/tickets/" + id);
        let list = root.querySelector(".replies");
        if (!list) { list = document.createElement("div"); list.className = "replies"; root.appendChild(list); }
        const waiting = root.querySelector(".waiting");
        for (; shown < t.replies.length; shown++) {
          if (waiting) waiting.remove();
          const r = document.createElement("div");
          r.className = "reply";
          const w = document.createElement("div");
          w.className = "when";
          w.textContent = "🧑‍💼 工作人员回复";
          r.appendChild(w);
          t.replies[shown].text.split("\n").forEach(function (line) {
            if (!line.trim()) return;
            const p = document.createElement("p");
            p.textContent = line;
            r.appendChild(p);
          });
          list.appendChild(r);
        }
        const st = root.querySelector(".tstatus b");
        if (st) st.textContent = t.status_text;
        if (t.status === "closed") return;
      } catch (e) { /* try again later */ }
      delay = Math.min(delay * 1.5, 30000);
      setTimeout(tick, delay);
    }
    setTimeout(tick, 1000);
  }

  const ticket = $(".ticket[data-ticket]");
  if (ticket) {
    // Replies rendered by the server are already on the page.
    watchTicket(ticket.dataset.ticket, ticket, ticket.querySelectorAll(".reply").length);
  }
})();
