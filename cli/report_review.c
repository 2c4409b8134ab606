#include "report.h"
int cli_report_review(int argc, char **argv);
int cli_report_review(int argc, char **argv) { (void)argc; (void)argv; return 2; }
