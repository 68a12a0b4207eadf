// the page of derive serve: reads the form, asks the JSON API, shows the answer
