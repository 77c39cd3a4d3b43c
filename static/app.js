// SLR Portal — progressive enhancement only. Every page works without this file:
// forms post normally, the wizard has full-page URLs, uploads go to the server.
// All listeners are delegated from document so content swapped in by htmx is covered.
(function () {
  'use strict';

  var FOCUSABLE = 'input:not([type=hidden]):not([disabled]), select:not([disabled]), ' +
    'textarea:not([disabled]), button:not([disabled]), a[href], [tabindex]:not([tabindex="-1"])';

  function firstFocusable(root) {
    var all = root.querySelectorAll(FOCUSABLE);
    for (var i = 0; i < all.length; i++) {
      // Skip elements that are not rendered (hidden attribute, display:none).
      if (all[i].getClientRects().length > 0) return all[i];
    }
    return null;
  }

  function closeMenus(except) {
    document.querySelectorAll('details.actions-menu[open]').forEach(function (menu) {
      if (menu !== except) menu.removeAttribute('open');
    });
  }

  // ---- CSRF header for htmx requests (forms also carry _csrf; this covers hx-get/hx-post on links and buttons).
  document.addEventListener('htmx:configRequest', function (evt) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) evt.detail.headers['X-CSRF-Token'] = meta.content;
  });

  // ---- htmx 2 swaps no 4xx/5xx answer by default, but the dialog's answers to a refused step (422, or the 403/404/500 ModalError) are meant to be shown.
  document.addEventListener('htmx:beforeSwap', function (evt) { if (evt.detail.target && evt.detail.target.id === 'modal-content' && evt.detail.xhr.status >= 400) { evt.detail.shouldSwap = true; evt.detail.isError = false; } });

  // ---- Modal dialog: opened when htmx swaps a fragment into #modal-content.
  var returnFocusTo = null;

  document.addEventListener('htmx:afterSwap', function (evt) {
    var target = evt.detail && evt.detail.target;
    if (!target || target.id !== 'modal-content') return;
    var dialog = target.closest('dialog');
    if (!dialog) return;
    closeMenus(null);
    if (!dialog.open) {
      var active = document.activeElement;
      // The opener is often inside an Actions menu that we just closed; fall back to its summary.
      var menu = active && active.closest ? active.closest('details.actions-menu') : null;
      returnFocusTo = menu ? menu.querySelector('summary') : active;
      dialog.showModal();
    }
    // Prefer the form's own controls over the header's close button.
    var body = target.querySelector('.modal-body') || target;
    var focus = target.querySelector('[autofocus]') || firstFocusable(body) || firstFocusable(dialog);
    if (focus) focus.focus();
  });

  // 'close' does not bubble, so listen in the capture phase.
  document.addEventListener('close', function (evt) {
    var dialog = evt.target;
    if (!(dialog instanceof HTMLDialogElement) || !dialog.classList.contains('modal')) return;
    if (dialog.hasAttribute('data-reload-on-close') || dialog.querySelector('[data-reload-on-close]')) {
      // The action changed the list behind the dialog; show the new state.
      window.location.reload();
      return;
    }
    var content = dialog.querySelector('#modal-content');
    if (content) content.innerHTML = '';
    if (returnFocusTo && document.contains(returnFocusTo)) returnFocusTo.focus();
    returnFocusTo = null;
  }, true);

  // ---- Clicks: close buttons, confirmations on non-submit buttons, download notice, menus.
  document.addEventListener('click', function (evt) {
    var el = evt.target instanceof Element ? evt.target : null;
    if (!el) return;

    var closer = el.closest('[data-close-modal]');
    if (closer) {
      var dialog = closer.closest('dialog');
      if (dialog) {
        evt.preventDefault(); // it may be a "Cancel" link that leaves the page without JS
        dialog.close();
        return;
      }
    }

    // Submit buttons are confirmed in the submit handler (which also covers Enter);
    // here only buttons and links that act on their own (e.g. hx-post on a button).
    var confirmable = el.closest('[data-confirm]');
    if (confirmable && confirmable.tagName !== 'FORM' &&
        !(confirmable.form && isSubmitter(confirmable) && !HX_VERB.test(attrNames(confirmable)))) {
      if (!window.confirm(confirmable.getAttribute('data-confirm'))) {
        evt.preventDefault();
        evt.stopImmediatePropagation();
        return;
      }
    }

    var download = el.closest('a[data-download-notice]');
    if (download) {
      var noticeId = download.getAttribute('data-download-notice');
      // This page shows the notice itself, so the server need not leave one
      // for the next page (it does for browsers without JavaScript).
      if (!/[?&]notice=shown/.test(download.href)) {
        download.href += (download.href.indexOf('?') < 0 ? '?' : '&') + 'notice=shown';
      }
      // Let the browser start the download first, then say it happened.
      window.setTimeout(function () {
        var notice = document.getElementById(noticeId);
        if (notice) notice.removeAttribute('hidden');
      }, 600);
    }

    closeMenus(el.closest('details.actions-menu'));
  }, true);

  // A submit button with its own hx-post etc. is handled by htmx on click, so no submit event follows.
  var HX_VERB = /(^| )(hx|data-hx)-(get|post|put|patch|delete)( |$)/;

  function attrNames(el) {
    return Array.prototype.map.call(el.attributes, function (a) { return a.name; }).join(' ');
  }

  function isSubmitter(el) {
    if (el.tagName === 'BUTTON') return (el.getAttribute('type') || 'submit').toLowerCase() === 'submit';
    return el.tagName === 'INPUT' && /^(submit|image)$/i.test(el.type);
  }

  // ---- data-confirm on forms or their submit buttons. Capture phase at document runs
  // before htmx's own listener on the form, so stopping here also stops hx-post forms.
  document.addEventListener('submit', function (evt) {
    var form = evt.target;
    var submitter = evt.submitter;
    var message = (submitter && submitter.getAttribute('data-confirm')) || form.getAttribute('data-confirm');
    if (message && !window.confirm(message)) {
      evt.preventDefault();
      evt.stopImmediatePropagation();
    }
  }, true);

  // ---- Escape closes an open Actions menu (the dialog handles its own Escape).
  document.addEventListener('keydown', function (evt) {
    if (evt.key !== 'Escape') return;
    var menu = document.activeElement && document.activeElement.closest &&
      document.activeElement.closest('details.actions-menu[open]');
    if (menu) {
      menu.removeAttribute('open');
      var summary = menu.querySelector('summary');
      if (summary) summary.focus();
    }
  });

  // ---- <input type=file data-fill-target="ID">: copy a chosen text file into the textarea.
  // The file input keeps its file, so the upload still works if reading fails.
  var MAX_FILL_BYTES = 1 << 20; // request codes are tiny; do not read anything large into the page

  document.addEventListener('change', function (evt) {
    var input = evt.target;
    if (!(input instanceof HTMLInputElement) || input.type !== 'file' || !input.hasAttribute('data-fill-target')) return;
    var file = input.files && input.files[0];
    var textarea = document.getElementById(input.getAttribute('data-fill-target'));
    if (!file || !textarea || file.size > MAX_FILL_BYTES || typeof FileReader === 'undefined') return;
    var reader = new FileReader();
    reader.onload = function () {
      textarea.value = String(reader.result).trim();
      textarea.dispatchEvent(new Event('input', { bubbles: true }));
    };
    reader.readAsText(file);
  });
})();
