FROM php:8.2-apache
COPY src/ /var/www/html/
RUN apt-get update && apt-get install -y zip unzip && rm -rf /var/lib/apt/lists/*
RUN docker-php-ext-install pdo_mysql
USER www-data
