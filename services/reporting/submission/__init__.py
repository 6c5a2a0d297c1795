"""The monthly submission (数据上报): submitted, returned, accepted and locked, adjusted; its deadlines."""
