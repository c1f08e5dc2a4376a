/*
 * sa_evals.c - register the eval function tables of compat/ (see
 * sa_evals.h): SpamAssassin's HeaderEval, RelayEval, MIMEEval, BodyEval,
 * HTMLEval, ImageInfo, URIEval, HTTPSMismatch, AntiVirus, FreeMail, WLBLEval,
 * WelcomeListSubject, VBounce and Bayes (check_bayes) functions.
 */
#include "compat/sa_evals.h"

#include <stdbool.h>

#include "compat/sa_eval_antivirus.h"
#include "compat/sa_eval_bayes.h"
#include "compat/sa_eval_body.h"
#include "compat/sa_eval_forged.h"
#include "compat/sa_eval_freemail.h"
#include "compat/sa_eval_header.h"
#include "compat/sa_eval_html.h"
#include "compat/sa_eval_image.h"
#include "compat/sa_eval_mime.h"
#include "compat/sa_eval_relay.h"
#include "compat/sa_eval_uri.h"
#include "compat/sa_eval_vbounce.h"
#include "compat/sa_eval_wlbl.h"
#include "scan/scan_eval.h"

void
sa_evals_register(void)
{
    static bool done;

    if (done)
        return;
    done = true;
    scan_eval_register(sa_eval_header_defs, sa_eval_header_ndefs);
    scan_eval_register(sa_eval_forged_defs, sa_eval_forged_ndefs);
    scan_eval_register(sa_eval_relay_defs, sa_eval_relay_ndefs);
    scan_eval_register(sa_eval_mime_defs, sa_eval_mime_ndefs);
    scan_eval_register(sa_eval_body_defs, sa_eval_body_ndefs);
    scan_eval_register(sa_eval_html_defs, sa_eval_html_ndefs);
    scan_eval_register(sa_eval_image_defs, sa_eval_image_ndefs);
    scan_eval_register(sa_eval_uri_defs, sa_eval_uri_ndefs);
    scan_eval_register(sa_eval_antivirus_defs, sa_eval_antivirus_ndefs);
    scan_eval_register(sa_eval_freemail_defs, sa_eval_freemail_ndefs);
    scan_eval_register(sa_eval_wlbl_defs, sa_eval_wlbl_ndefs);
    scan_eval_register(sa_eval_vbounce_defs, sa_eval_vbounce_ndefs);
    scan_eval_register(sa_eval_bayes_defs, sa_eval_bayes_ndefs);
}
