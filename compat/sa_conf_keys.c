/*
 * sa_conf_keys.c - the directives SpamAssassin 4.0.1 knows (Conf.pm and
 * the commands its plugins register, dumped from SA itself with every
 * plugin loaded), under their normalised names, with the plugin that
 * registers each: a plugin's directive is known only while that plugin is
 * loaded, as in SA. Sorted by name for bsearch; a name two plugins share
 * appears once per plugin.
 */
#include "compat/sa_conf_int.h"

#include <stdio.h>
#include <string.h>

static const struct sa_keyword sa_keywords[] = {
    { "add_header", NULL, 0, SA_KW_ADD_HEADER, NULL },
    { "adsp_override", "DKIM", 0, SA_KW_SETTING, NULL },
    { "all_spam_to", NULL, 0, SA_KW_SETTING, NULL },
    { "allow_user_rules", NULL, SA_K_PRIV, SA_KW_SETTING, NULL },
    { "always_trust_envelope_sender", NULL, 0, SA_KW_SETTING, NULL },
    { "askdns", "AskDNS", SA_K_PRIV, SA_KW_PLUGIN_RULE, NULL },
    { "asn_lookup", "ASN", SA_K_PRIV, SA_KW_SETTING, NULL },
    { "asn_lookup_ipv6", "ASN", SA_K_PRIV, SA_KW_SETTING, NULL },
    { "asn_prefer_geodb", "ASN", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "asn_prefix", "ASN", 0, SA_KW_SETTING, NULL },
    { "asn_use_dns", "ASN", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "asn_use_geodb", "ASN", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "authres_ignored_authserv", "AuthRes", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "authres_networks", "AuthRes", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "authres_trusted_authserv", "AuthRes", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "auto_welcomelist_db_modules", "AWL", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "auto_welcomelist_db_modules", "TxRep", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "auto_welcomelist_distinguish_signed", "AWL", 0, SA_KW_SETTING, NULL },
    { "auto_welcomelist_distinguish_signed", "TxRep", 0, SA_KW_SETTING, NULL },
    { "auto_welcomelist_factor", "AWL", 0, SA_KW_SETTING, NULL },
    { "auto_welcomelist_factory", "AWL", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "auto_welcomelist_file_mode", "AWL", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "auto_welcomelist_file_mode", "TxRep", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "auto_welcomelist_ipv4_mask_len", "AWL", 0, SA_KW_SETTING, NULL },
    { "auto_welcomelist_ipv6_mask_len", "AWL", 0, SA_KW_SETTING, NULL },
    { "auto_welcomelist_path", "AWL", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "auto_welcomelist_path", "TxRep", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "bayes_auto_expire", NULL, 0, SA_KW_SETTING, NULL },
    { "bayes_auto_learn", NULL, 0, SA_KW_SETTING, NULL },
    { "bayes_auto_learn_on_error", "AutoLearnThreshold", 0, SA_KW_SETTING, NULL },
    { "bayes_auto_learn_threshold_nonspam", "AutoLearnThreshold", 0, SA_KW_SETTING, NULL },
    { "bayes_auto_learn_threshold_spam", "AutoLearnThreshold", 0, SA_KW_SETTING, NULL },
    { "bayes_expiry_max_db_size", NULL, 0, SA_KW_SETTING, NULL },
    { "bayes_file_mode", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "bayes_ignore_from", NULL, 0, SA_KW_SETTING, NULL },
    { "bayes_ignore_header", NULL, 0, SA_KW_SETTING, NULL },
    { "bayes_ignore_to", NULL, 0, SA_KW_SETTING, NULL },
    { "bayes_journal_max_size", NULL, 0, SA_KW_SETTING, NULL },
    { "bayes_learn_during_report", NULL, 0, SA_KW_SETTING, NULL },
    { "bayes_learn_to_journal", NULL, 0, SA_KW_SETTING, NULL },
    { "bayes_max_token_length", "Bayes", 0, SA_KW_SETTING, NULL },
    { "bayes_min_ham_num", NULL, 0, SA_KW_SETTING, NULL },
    { "bayes_min_spam_num", NULL, 0, SA_KW_SETTING, NULL },
    { "bayes_path", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "bayes_seen_ttl", NULL, 0, SA_KW_SETTING, NULL },
    { "bayes_sql_dsn", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "bayes_sql_override_username", NULL, 0, SA_KW_SETTING, NULL },
    { "bayes_sql_password", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "bayes_sql_username", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "bayes_sql_username_authorized", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "bayes_stopword_languages", "Bayes", 0, SA_KW_SETTING, NULL },
    { "bayes_store_module", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "bayes_token_sources", NULL, 0, SA_KW_SETTING, NULL },
    { "bayes_token_ttl", NULL, 0, SA_KW_SETTING, NULL },
    { "bayes_use_hapaxes", NULL, 0, SA_KW_SETTING, NULL },
    { "blocklist_from", NULL, 0, SA_KW_SETTING, NULL },
    { "blocklist_subject", "WelcomeListSubject", 0, SA_KW_SETTING, NULL },
    { "blocklist_to", NULL, 0, SA_KW_SETTING, NULL },
    { "blocklist_uri_host", NULL, 0, SA_KW_SETTING, NULL },
    { "body", NULL, SA_K_PRIV, SA_KW_BODY, NULL },
    { "body_part_scan_size", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "clear_asn_lookups", "ASN", 0, SA_KW_CLEAR, "C asn_lookup asn_lookup_ipv6" },
    { "clear_dns_query_restriction", NULL, 0, SA_KW_CLEAR, "C dns_query_restriction" },
    { "clear_dns_servers", NULL, 0, SA_KW_CLEAR, "C dns_server" },
    { "clear_headers", NULL, 0, SA_KW_CLEAR_HEADERS, NULL },
    { "clear_internal_networks", NULL, 0, SA_KW_CLEAR, "C internal_networks" },
    { "clear_msa_networks", NULL, 0, SA_KW_CLEAR, "C msa_networks" },
    { "clear_originating_ip_headers", NULL, 0, SA_KW_CLEAR, "C originating_ip_headers" },
    { "clear_report_template", NULL, 0, SA_KW_CLEAR, "C report" },
    { "clear_trusted_networks", NULL, 0, SA_KW_CLEAR, "C trusted_networks" },
    { "clear_unsafe_report_template", NULL, 0, SA_KW_CLEAR, "C unsafe_report" },
    { "clear_uridnsbl_skip_domain", "URIDNSBL", 0, SA_KW_CLEAR, "c uridnsbl_skip_domain" },
    { "clear_url_shortener", "DecodeShortURLs", 0, SA_KW_CLEAR, "c url_shortener" },
    { "clear_util_rb", NULL, 0, SA_KW_CLEAR, "C util_rb_tld util_rb_2tld util_rb_3tld" },
    { "country_db_path", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "country_db_type", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "dcc_body_max", "DCC", 0, SA_KW_SETTING, NULL },
    { "dcc_dccifd_path", "DCC", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "dcc_fuz1_max", "DCC", 0, SA_KW_SETTING, NULL },
    { "dcc_fuz2_max", "DCC", 0, SA_KW_SETTING, NULL },
    { "dcc_home", "DCC", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "dcc_learn_score", "DCC", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "dcc_options", "DCC", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "dcc_path", "DCC", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "dcc_rep_percent", "DCC", 0, SA_KW_SETTING, NULL },
    { "dcc_timeout", "DCC", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "dccifd_options", "DCC", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "def_welcomelist_auth", NULL, 0, SA_KW_SETTING, NULL },
    { "def_welcomelist_from_dkim", "DKIM", 0, SA_KW_SETTING, NULL },
    { "def_welcomelist_from_rcvd", NULL, 0, SA_KW_SETTING, NULL },
    { "def_welcomelist_from_spf", "SPF", 0, SA_KW_SETTING, NULL },
    { "delist_uri_host", NULL, 0, SA_KW_UNLIST, "H enlist_uri_host" },
    { "describe", NULL, 0, SA_KW_DESCRIBE, NULL },
    { "dkim_minimum_key_bits", "DKIM", 0, SA_KW_SETTING, NULL },
    { "dkim_timeout", "DKIM", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "dmarc_save_reports", "DMARC", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "dns_available", NULL, 0, SA_KW_SETTING, NULL },
    { "dns_block_rule", NULL, SA_K_ADMIN, SA_KW_PLUGIN_RULE, NULL },
    { "dns_block_time", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "dns_local_ports_avoid", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "dns_local_ports_none", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "dns_local_ports_permit", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "dns_options", NULL, 0, SA_KW_SETTING, NULL },
    { "dns_query_restriction", NULL, 0, SA_KW_SETTING, NULL },
    { "dns_server", NULL, 0, SA_KW_SETTING, NULL },
    { "dns_test_interval", NULL, 0, SA_KW_SETTING, NULL },
    { "do_not_use_mail_spf", "SPF", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "do_not_use_mail_spf_query", "SPF", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "enable_compat", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "enlist_addrlist", NULL, 0, SA_KW_SETTING, NULL },
    { "enlist_uri_host", NULL, 0, SA_KW_SETTING, NULL },
    { "envelope_sender_header", NULL, 0, SA_KW_SETTING, NULL },
    { "extracttext_external", "ExtractText", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "extracttext_maxparts", "ExtractText", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "extracttext_timeout", "ExtractText", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "extracttext_use", "ExtractText", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "fns_add_addrlist", "FromNameSpoof", 0, SA_KW_SETTING, NULL },
    { "fns_check", "FromNameSpoof", 0, SA_KW_SETTING, NULL },
    { "fns_extrachars", "FromNameSpoof", 0, SA_KW_SETTING, NULL },
    { "fns_ignore_dkim", "FromNameSpoof", 0, SA_KW_SETTING, NULL },
    { "fns_ignore_headers", "FromNameSpoof", 0, SA_KW_SETTING, NULL },
    { "fns_remove_addrlist", "FromNameSpoof", 0, SA_KW_SETTING, NULL },
    { "fold_headers", NULL, 0, SA_KW_SETTING, NULL },
    { "freemail_add_describe_email", "FreeMail", 0, SA_KW_SETTING, NULL },
    { "freemail_domains", "FreeMail", 0, SA_KW_SETTING, NULL },
    { "freemail_import_def_welcomelist_auth", "FreeMail", 0, SA_KW_SETTING, NULL },
    { "freemail_import_welcomelist_auth", "FreeMail", 0, SA_KW_SETTING, NULL },
    { "freemail_max_body_emails", "FreeMail", 0, SA_KW_SETTING, NULL },
    { "freemail_max_body_freemails", "FreeMail", 0, SA_KW_SETTING, NULL },
    { "freemail_skip_bulk_envfrom", "FreeMail", 0, SA_KW_SETTING, NULL },
    { "freemail_skip_when_over_max", "FreeMail", 0, SA_KW_SETTING, NULL },
    { "freemail_welcomelist", "FreeMail", 0, SA_KW_SETTING, NULL },
    { "full", NULL, SA_K_PRIV, SA_KW_FULL, NULL },
    { "geodb_module", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "geodb_options", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "geodb_search_path", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "hashbl_email_domain_alias", "HashBL", 0, SA_KW_SETTING, NULL },
    { "hashbl_email_regex", "HashBL", 0, SA_KW_SETTING, NULL },
    { "hashbl_email_welcomelist", "HashBL", 0, SA_KW_SETTING, NULL },
    { "hashbl_ignore", "HashBL", 0, SA_KW_SETTING, NULL },
    { "header", NULL, SA_K_PRIV, SA_KW_HEADER, NULL },
    { "ignore_always_matching_regexps", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "ignore_received_spf_header", "SPF", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "inactive_languages", "TextCat", 0, SA_KW_SETTING, NULL },
    { "internal_networks", NULL, 0, SA_KW_SETTING, NULL },
    { "loadplugin", NULL, SA_K_ADMIN, SA_KW_LOADPLUGIN, NULL },
    { "lock_method", NULL, 0, SA_KW_SETTING, NULL },
    { "max_short_url_redirections", "DecodeShortURLs", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "max_short_urls", "DecodeShortURLs", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "mbox_format_from_regex", NULL, 0, SA_KW_SETTING, NULL },
    { "meta", NULL, SA_K_PRIV, SA_KW_META, NULL },
    { "mimeheader", "MIMEHeader", SA_K_PRIV, SA_KW_MIMEHEADER, NULL },
    { "more_spam_to", NULL, 0, SA_KW_SETTING, NULL },
    { "msa_networks", NULL, 0, SA_KW_SETTING, NULL },
    { "normalize_charset", NULL, 0, SA_KW_SETTING, NULL },
    { "ok_languages", "TextCat", 0, SA_KW_SETTING, NULL },
    { "ok_locales", NULL, 0, SA_KW_SETTING, NULL },
    { "olemacro_download_marker", "OLEVBMacro", 0, SA_KW_SETTING, NULL },
    { "olemacro_extended_scan", "OLEVBMacro", 0, SA_KW_SETTING, NULL },
    { "olemacro_exts", "OLEVBMacro", 0, SA_KW_SETTING, NULL },
    { "olemacro_macro_exts", "OLEVBMacro", 0, SA_KW_SETTING, NULL },
    { "olemacro_max_file", "OLEVBMacro", 0, SA_KW_SETTING, NULL },
    { "olemacro_num_mime", "OLEVBMacro", 0, SA_KW_SETTING, NULL },
    { "olemacro_num_zip", "OLEVBMacro", 0, SA_KW_SETTING, NULL },
    { "olemacro_prefer_contentdisposition", "OLEVBMacro", 0, SA_KW_SETTING, NULL },
    { "olemacro_skip_ctypes", "OLEVBMacro", 0, SA_KW_SETTING, NULL },
    { "olemacro_skip_exts", "OLEVBMacro", 0, SA_KW_SETTING, NULL },
    { "olemacro_zip_depth", "OLEVBMacro", 0, SA_KW_SETTING, NULL },
    { "olemacro_zips", "OLEVBMacro", 0, SA_KW_SETTING, NULL },
    { "originating_ip_headers", NULL, 0, SA_KW_SETTING, NULL },
    { "parse_dkim_uris", NULL, 0, SA_KW_SETTING, NULL },
    { "phishing_openphish_feed", "Phishing", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "phishing_phishstats_feed", "Phishing", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "phishing_phishstats_minscore", "Phishing", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "phishing_phishtank_feed", "Phishing", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "phishing_uri_noparam", "Phishing", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "priority", NULL, SA_K_PRIV, SA_KW_PRIORITY, NULL },
    { "pyzor_count_min", "Pyzor", 0, SA_KW_SETTING, NULL },
    { "pyzor_fork", "Pyzor", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "pyzor_max", "Pyzor", 0, SA_KW_SETTING, NULL },
    { "pyzor_options", "Pyzor", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "pyzor_path", "Pyzor", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "pyzor_perl", "Pyzor", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "pyzor_server_file", "Pyzor", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "pyzor_timeout", "Pyzor", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "pyzor_welcomelist_factor", "Pyzor", 0, SA_KW_SETTING, NULL },
    { "pyzor_welcomelist_min", "Pyzor", 0, SA_KW_SETTING, NULL },
    { "rawbody", NULL, SA_K_PRIV, SA_KW_RAWBODY, NULL },
    { "rawbody_part_scan_size", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "razor_config", "Razor2", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "razor_fork", "Razor2", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "razor_timeout", "Razor2", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "rbl_headers", "DNSEval", SA_K_PRIV, SA_KW_SETTING, NULL },
    { "rbl_timeout", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "redirector_pattern", NULL, SA_K_PRIV, SA_KW_SETTING, NULL },
    { "remove_header", NULL, 0, SA_KW_REMOVE_HEADER, NULL },
    { "replace_end", "ReplaceTags", SA_K_PRIV, SA_KW_REPLACE_END, NULL },
    { "replace_inter", "ReplaceTags", SA_K_PRIV, SA_KW_REPLACE_INTER, NULL },
    { "replace_post", "ReplaceTags", SA_K_PRIV, SA_KW_REPLACE_POST, NULL },
    { "replace_pre", "ReplaceTags", SA_K_PRIV, SA_KW_REPLACE_PRE, NULL },
    { "replace_rules", "ReplaceTags", SA_K_PRIV, SA_KW_REPLACE_RULES, NULL },
    { "replace_start", "ReplaceTags", SA_K_PRIV, SA_KW_REPLACE_START, NULL },
    { "replace_tag", "ReplaceTags", SA_K_PRIV, SA_KW_REPLACE_TAG, NULL },
    { "report", NULL, 0, SA_KW_SETTING, NULL },
    { "report_charset", NULL, 0, SA_KW_SETTING, NULL },
    { "report_contact", NULL, 0, SA_KW_SETTING, NULL },
    { "report_hostname", NULL, 0, SA_KW_SETTING, NULL },
    { "report_safe", NULL, 0, SA_KW_SETTING, NULL },
    { "report_safe_copy_headers", NULL, 0, SA_KW_SETTING, NULL },
    { "report_wrap_width", NULL, 0, SA_KW_SETTING, NULL },
    { "require_version", NULL, 0, SA_KW_SETTING, NULL },
    { "required_score", NULL, 0, SA_KW_REQUIRED_SCORE, NULL },
    { "resource_limit_cpu", "ResourceLimits", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "resource_limit_mem", "ResourceLimits", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "reuse", NULL, SA_K_PRIV, SA_KW_IGNORE, NULL },
    { "rewrite_header", NULL, 0, SA_KW_SETTING, NULL },
    { "run_reuse_tests_only", "Reuse", 0, SA_KW_SETTING, NULL },
    { "score", NULL, 0, SA_KW_SCORE, NULL },
    { "shortcircuit", "Shortcircuit", 0, SA_KW_SHORTCIRCUIT, NULL },
    { "shortcircuit_ham_score", "Shortcircuit", 0, SA_KW_SETTING, NULL },
    { "shortcircuit_max_spam_score", "Shortcircuit", 0, SA_KW_SETTING, NULL },
    { "shortcircuit_min_ham_score", "Shortcircuit", 0, SA_KW_SETTING, NULL },
    { "shortcircuit_spam_score", "Shortcircuit", 0, SA_KW_SETTING, NULL },
    { "skip_rbl_checks", NULL, 0, SA_KW_SETTING, NULL },
    { "skip_uribl_checks", "URIDNSBL", 0, SA_KW_SETTING, NULL },
    { "spamcop_from_address", "SpamCop", 0, SA_KW_SETTING, NULL },
    { "spamcop_max_report_size", "SpamCop", 0, SA_KW_SETTING, NULL },
    { "spamcop_relayhost", "SpamCop", 0, SA_KW_SETTING, NULL },
    { "spamcop_to_address", "SpamCop", 0, SA_KW_SETTING, NULL },
    { "spf_timeout", "SPF", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "subjprefix", NULL, 0, SA_KW_SETTING, NULL },
    { "test", NULL, SA_K_ADMIN, SA_KW_IGNORE, NULL },
    { "textcat_acceptable_score", "TextCat", 0, SA_KW_SETTING, NULL },
    { "textcat_max_languages", "TextCat", 0, SA_KW_SETTING, NULL },
    { "textcat_max_ngrams", "TextCat", 0, SA_KW_SETTING, NULL },
    { "textcat_optimal_ngrams", "TextCat", 0, SA_KW_SETTING, NULL },
    { "tflags", NULL, SA_K_PRIV, SA_KW_TFLAGS, NULL },
    { "time_limit", NULL, 0, SA_KW_SETTING, NULL },
    { "trigger_config", "PhishTag", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "trigger_ratio", "PhishTag", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "trigger_target", "PhishTag", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "trusted_networks", NULL, 0, SA_KW_SETTING, NULL },
    { "tryplugin", NULL, SA_K_ADMIN, SA_KW_LOADPLUGIN, NULL },
    { "txrep_autolearn", "TxRep", 0, SA_KW_SETTING, NULL },
    { "txrep_dilution_factor", "TxRep", 0, SA_KW_SETTING, NULL },
    { "txrep_expiry_days", "TxRep", 0, SA_KW_SETTING, NULL },
    { "txrep_factor", "TxRep", 0, SA_KW_SETTING, NULL },
    { "txrep_factory", "TxRep", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "txrep_ipv4_mask_len", "TxRep", 0, SA_KW_SETTING, NULL },
    { "txrep_ipv6_mask_len", "TxRep", 0, SA_KW_SETTING, NULL },
    { "txrep_learn_bonus", "TxRep", 0, SA_KW_SETTING, NULL },
    { "txrep_learn_penalty", "TxRep", 0, SA_KW_SETTING, NULL },
    { "txrep_report_details", "TxRep", 0, SA_KW_SETTING, NULL },
    { "txrep_spf", "TxRep", 0, SA_KW_SETTING, NULL },
    { "txrep_track_messages", "TxRep", 0, SA_KW_SETTING, NULL },
    { "txrep_user2global_ratio", "TxRep", 0, SA_KW_SETTING, NULL },
    { "txrep_weight_domain", "TxRep", 0, SA_KW_SETTING, NULL },
    { "txrep_weight_email", "TxRep", 0, SA_KW_SETTING, NULL },
    { "txrep_weight_email_ip", "TxRep", 0, SA_KW_SETTING, NULL },
    { "txrep_weight_helo", "TxRep", 0, SA_KW_SETTING, NULL },
    { "txrep_weight_ip", "TxRep", 0, SA_KW_SETTING, NULL },
    { "txrep_welcomelist_out", "TxRep", 0, SA_KW_SETTING, NULL },
    { "unblocklist_from", NULL, 0, SA_KW_UNLIST, "T blocklist_from" },
    { "unsafe_report", NULL, 0, SA_KW_SETTING, NULL },
    { "unwelcomelist_auth", NULL, 0, SA_KW_UNLIST, "T welcomelist_auth def_welcomelist_auth" },
    { "unwelcomelist_from", NULL, 0, SA_KW_UNLIST, "T welcomelist_from" },
    { "unwelcomelist_from_dkim", "DKIM", 0, SA_KW_UNLIST,
      "D welcomelist_from_dkim def_welcomelist_from_dkim" },
    { "unwelcomelist_from_rcvd", NULL, 0, SA_KW_UNLIST,
      "F welcomelist_from_rcvd def_welcomelist_from_rcvd" },
    { "unwelcomelist_from_spf", "SPF", 0, SA_KW_UNLIST,
      "T welcomelist_from_spf def_welcomelist_from_spf" },
    { "uri", NULL, SA_K_PRIV, SA_KW_URI, NULL },
    { "uri_block_cc", "URILocalBL", SA_K_PRIV, SA_KW_SETTING, NULL },
    { "uri_block_cidr", "URILocalBL", SA_K_PRIV, SA_KW_SETTING, NULL },
    { "uri_block_cont", "URILocalBL", SA_K_PRIV, SA_KW_SETTING, NULL },
    { "uri_block_exclude", "URILocalBL", SA_K_PRIV, SA_KW_SETTING, NULL },
    { "uri_block_isp", "URILocalBL", SA_K_PRIV, SA_KW_SETTING, NULL },
    { "uri_country_db_isp_path", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "uri_country_db_path", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "uri_detail", "URIDetail", SA_K_PRIV, SA_KW_PLUGIN_RULE, NULL },
    { "uridnsbl", "URIDNSBL", SA_K_PRIV, SA_KW_PLUGIN_RULE, NULL },
    { "uridnsbl_max_domains", "URIDNSBL", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "uridnsbl_skip_domain", "URIDNSBL", 0, SA_KW_SETTING, NULL },
    { "uridnsbl_skip_mailto", "URIDNSBL", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "uridnsbl_timeout", "URIDNSBL", 0, SA_KW_SETTING, NULL },
    { "uridnssub", "URIDNSBL", SA_K_PRIV, SA_KW_PLUGIN_RULE, NULL },
    { "urifullnsrhsbl", "URIDNSBL", SA_K_PRIV, SA_KW_PLUGIN_RULE, NULL },
    { "urifullnsrhssub", "URIDNSBL", SA_K_PRIV, SA_KW_PLUGIN_RULE, NULL },
    { "urinsrhsbl", "URIDNSBL", SA_K_PRIV, SA_KW_PLUGIN_RULE, NULL },
    { "urinsrhssub", "URIDNSBL", SA_K_PRIV, SA_KW_PLUGIN_RULE, NULL },
    { "urirhsbl", "URIDNSBL", SA_K_PRIV, SA_KW_PLUGIN_RULE, NULL },
    { "urirhssub", "URIDNSBL", SA_K_PRIV, SA_KW_PLUGIN_RULE, NULL },
    { "url_shortener", "DecodeShortURLs", 0, SA_KW_SETTING, NULL },
    { "url_shortener_cache_autoclean", "DecodeShortURLs", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "url_shortener_cache_dsn", "DecodeShortURLs", SA_K_PRIV, SA_KW_SETTING, NULL },
    { "url_shortener_cache_password", "DecodeShortURLs", SA_K_PRIV, SA_KW_SETTING, NULL },
    { "url_shortener_cache_ttl", "DecodeShortURLs", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "url_shortener_cache_type", "DecodeShortURLs", SA_K_PRIV, SA_KW_SETTING, NULL },
    { "url_shortener_cache_username", "DecodeShortURLs", SA_K_PRIV, SA_KW_SETTING, NULL },
    { "url_shortener_get", "DecodeShortURLs", 0, SA_KW_SETTING, NULL },
    { "url_shortener_loginfo", "DecodeShortURLs", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "url_shortener_timeout", "DecodeShortURLs", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "url_shortener_user_agent", "DecodeShortURLs", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "use_auto_welcomelist", "AWL", 0, SA_KW_SETTING, NULL },
    { "use_bayes", NULL, 0, SA_KW_SETTING, NULL },
    { "use_bayes_rules", NULL, 0, SA_KW_SETTING, NULL },
    { "use_dcc", "DCC", 0, SA_KW_SETTING, NULL },
    { "use_dcc_rep", "DCC", 0, SA_KW_SETTING, NULL },
    { "use_learner", NULL, 0, SA_KW_SETTING, NULL },
    { "use_newest_received_spf_header", "SPF", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "use_pyzor", "Pyzor", 0, SA_KW_SETTING, NULL },
    { "use_razor2", "Razor2", 0, SA_KW_SETTING, NULL },
    { "use_txrep", "TxRep", 0, SA_KW_SETTING, NULL },
    { "user_awl_dsn", "AWL", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "user_awl_dsn", "TxRep", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "user_awl_sql_override_username", "AWL", 0, SA_KW_SETTING, NULL },
    { "user_awl_sql_override_username", "TxRep", 0, SA_KW_SETTING, NULL },
    { "user_awl_sql_password", "AWL", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "user_awl_sql_password", "TxRep", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "user_awl_sql_table", "AWL", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "user_awl_sql_table", "TxRep", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "user_awl_sql_username", "AWL", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "user_awl_sql_username", "TxRep", SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "user_scores_dsn", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "user_scores_fallback_to_global", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "user_scores_ldap_password", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "user_scores_ldap_username", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "user_scores_sql_custom_query", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "user_scores_sql_password", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "user_scores_sql_username", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "util_rb_2tld", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "util_rb_3tld", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "util_rb_tld", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "version_tag", NULL, SA_K_ADMIN, SA_KW_SETTING, NULL },
    { "welcomelist_allows_relays", NULL, 0, SA_KW_SETTING, NULL },
    { "welcomelist_auth", NULL, 0, SA_KW_SETTING, NULL },
    { "welcomelist_bounce_relays", "VBounce", 0, SA_KW_SETTING, NULL },
    { "welcomelist_from", NULL, 0, SA_KW_SETTING, NULL },
    { "welcomelist_from_dkim", "DKIM", 0, SA_KW_SETTING, NULL },
    { "welcomelist_from_rcvd", NULL, 0, SA_KW_SETTING, NULL },
    { "welcomelist_from_spf", "SPF", 0, SA_KW_SETTING, NULL },
    { "welcomelist_subject", "WelcomeListSubject", 0, SA_KW_SETTING, NULL },
    { "welcomelist_to", NULL, 0, SA_KW_SETTING, NULL },
    { "welcomelist_uri_host", NULL, 0, SA_KW_SETTING, NULL },
};

#define SA_NKEYWORDS (sizeof(sa_keywords) / sizeof(sa_keywords[0]))

/* Directives a plugin handles in its parse_config hook rather than by
 * registering them: a prefix and the plugin. */
static const struct sa_keyword sa_prefixed[] = {
    { "bayes_stopword_", "Bayes", 0, SA_KW_SETTING, NULL },
    { "hashbl_acl_", "HashBL", 0, SA_KW_SETTING, NULL },
};

static bool
keys_replace(char *s, size_t outsz, const char *from, const char *to)
{
    size_t lf = strlen(from), lt = strlen(to);
    char *p = strstr(s, from);

    if (p == NULL || strlen(s) - lf + lt + 1 > outsz)
        return false;
    memmove(p + lt, p + lf, strlen(p + lf) + 1);
    memcpy(p, to, lt);
    return true;
}

void
sa_keyword_normalize(const char *key, char *out, size_t outsz)
{
    size_t n = 0;

    for (; key[n] != '\0' && n + 1 < outsz; n++) {
        char c = key[n];

        out[n] = c == '-' ? '_' : (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    out[n] = '\0';
    /* the 4.0 names; every old spelling is an alias until 4.1 */
    while (keys_replace(out, outsz, "whitelist", "welcomelist"))
        ;
    while (keys_replace(out, outsz, "blacklist", "blocklist"))
        ;
    if (strcmp(out, "required_hits") == 0)
        snprintf(out, outsz, "required_score");
    else if (strcmp(out, "clear_dns_query_restrictions") == 0)
        snprintf(out, outsz, "clear_dns_query_restriction");
}

static bool
keys_usable(const struct sa_conf *c, const struct sa_keyword *k)
{
    char pkg[128];

    if (k->plugin == NULL)
        return true;
    snprintf(pkg, sizeof(pkg), "Mail::SpamAssassin::Plugin::%s", k->plugin);
    return sa_conf_plugin_loaded(c, pkg);
}

const struct sa_keyword *
sa_keyword_find(const struct sa_conf *c, const char *key)
{
    size_t lo = 0, hi = SA_NKEYWORDS;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(sa_keywords[mid].name, key);

        if (cmp == 0) {
            while (mid > 0 && strcmp(sa_keywords[mid - 1].name, key) == 0)
                mid--;
            for (; mid < SA_NKEYWORDS && strcmp(sa_keywords[mid].name, key) == 0; mid++)
                if (keys_usable(c, &sa_keywords[mid]))
                    return &sa_keywords[mid];
            return NULL;
        }
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = 0; i < sizeof(sa_prefixed) / sizeof(sa_prefixed[0]); i++)
        if (strncmp(key, sa_prefixed[i].name, strlen(sa_prefixed[i].name)) == 0 &&
            key[strlen(sa_prefixed[i].name)] != '\0' && keys_usable(c, &sa_prefixed[i]))
            return &sa_prefixed[i];
    return NULL;
}

const char *
sa_keyword_plugin(const char *key, bool *known)
{
    for (size_t i = 0; i < SA_NKEYWORDS; i++) {
        if (strcmp(sa_keywords[i].name, key) == 0) {
            *known = true;
            return sa_keywords[i].plugin;
        }
    }
    for (size_t i = 0; i < sizeof(sa_prefixed) / sizeof(sa_prefixed[0]); i++) {
        if (strncmp(key, sa_prefixed[i].name, strlen(sa_prefixed[i].name)) == 0 &&
            key[strlen(sa_prefixed[i].name)] != '\0') {
            *known = true;
            return sa_prefixed[i].plugin;
        }
    }
    *known = false;
    return NULL;
}
