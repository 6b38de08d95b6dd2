"""Services: one public function is one unit of work and one commit."""
